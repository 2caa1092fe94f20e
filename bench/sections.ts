import type { BenchSection } from './lib';
import { mixBench } from './mix';

// Each bench module exports its sections; they are listed here once.
export const sections: BenchSection[] = [mixBench];

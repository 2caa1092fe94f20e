import type { BenchSection } from './lib';

// Each bench module exports its sections; they are listed here once.
export const sections: BenchSection[] = [];

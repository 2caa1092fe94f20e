import { accuracySection } from './accuracy';
import { postprocessAblationSection } from './postprocess-ablation';
import { audioBenchSections } from './audio';
import type { BenchSection } from './lib';
import { detectSections } from './detect';
import { finetuneBench } from './finetune';
import { mixBench } from './mix';
import { robustnessSection } from './robustness';
import { studioSection } from './studio';
import { trainStepSection } from './train';

// Each bench module exports its sections; they are listed here once.
export const sections: BenchSection[] = [...audioBenchSections, mixBench, ...detectSections, accuracySection, postprocessAblationSection, trainStepSection, finetuneBench, robustnessSection, studioSection];

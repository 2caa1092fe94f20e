import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import './styles/theme.css';
import { useEventsStore } from './stores/events';
import { useJobsStore } from './stores/jobs';
import { useProjectStore } from './stores/project';
import { useRecordingsStore } from './stores/recordings';
import { useReviewStore } from './stores/review';
import { useTrainingStore } from './stores/training';
import { useUiStore } from './stores/ui';

const pinia = createPinia();
const app = createApp(App).use(pinia);
// Evaluating the bundle, setting up the stores the shell uses, and mounting it are three tasks, not one
// long one (on 2 cores the mount, its stores included, took 27-94 ms in one task).
setTimeout(() => {
  for (const useStore of [useUiStore, useProjectStore, useRecordingsStore, useEventsStore, useJobsStore, useTrainingStore, useReviewStore]) useStore(pinia);
  setTimeout(() => app.mount('#app'), 0);
}, 0);

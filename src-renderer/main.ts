import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import './styles/theme.css';

const app = createApp(App).use(createPinia());
// Evaluating the bundle and building the first screen are two tasks, not one long one.
setTimeout(() => app.mount('#app'), 0);

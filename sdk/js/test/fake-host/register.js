// Lets Node load the SDK outside a component: `hookline:plugin/*` imports resolve to fakes.
import { register } from 'node:module';

register('./loader.js', import.meta.url);

/** @module sync.basics.test — the basics stories between two local folders (the scenarios: testing/stories/basics). */
import { basicStories } from './testing/stories/index.js';

basicStories({ a: 'local', b: 'local' });

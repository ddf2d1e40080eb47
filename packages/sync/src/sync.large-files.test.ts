/** @module sync.large-files.test — the large-file stories between two local folders (testing/stories/large-files). */
import { largeFileStories } from './testing/stories/index.js';

largeFileStories({ a: 'local', b: 'local' });

import { describeAppLifecycle } from '../../../tools/testing/app-lifecycle.js';

describeAppLifecycle('gateway');

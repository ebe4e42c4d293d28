import { describeAppLifecycle } from '../../../tools/testing/app-lifecycle.js';

describeAppLifecycle('trainer', 'TRAINER_PORT');

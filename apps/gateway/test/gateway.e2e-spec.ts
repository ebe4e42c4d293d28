import { describeAppLifecycle } from '#testing/app-lifecycle';

describeAppLifecycle('gateway');

import { hostname } from 'node:os';

/** This classifier process, as replies and serving reports name it. */
export const CLASSIFIER_ID = `${hostname()}:${process.pid}`;

/** Injection token of the ClientKafka that talks to the classifiers. */
export const CLASSIFIER_CLIENT = Symbol('CLASSIFIER_CLIENT');

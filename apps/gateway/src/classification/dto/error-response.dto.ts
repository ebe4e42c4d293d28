// The gateway's errors are the platform's: one shape, documented once.
export { ErrorResponseDto } from '#platform';

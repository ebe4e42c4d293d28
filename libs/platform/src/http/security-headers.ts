import helmet from 'helmet';

/**
 * Helmet's headers with its default Content-Security-Policy, widened only for what the gateway's
 * page does: it shows uploads through blob: URLs and sample images as data: URLs. Swagger UI at
 * /docs (scripts and styles from its own files, inline styles) fits the defaults.
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: {
    directives: {
      'img-src': ["'self'", 'data:', 'blob:'],
      // The apps serve plain HTTP (TLS, where there is any, ends in front of them): browsers
      // would turn every request of a page reached by a host name into an HTTPS one that
      // nothing answers.
      'upgrade-insecure-requests': null,
    },
  },
});

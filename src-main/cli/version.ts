/** The app's version as `app:info` reports it in web mode; version.test.ts keeps it equal to package.json's. */
export const APP_VERSION = '0.1.0';

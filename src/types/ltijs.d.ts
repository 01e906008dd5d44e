// ltijs ships no types and @types/ltijs is out of date; src/lti/provider.ts declares what we use.
declare module 'ltijs';

/** @module */
export {};
export * from './trajectory-files.js';

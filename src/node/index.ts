/** @module */
export {};
export * from './trajectory-files.js';
export * from './model-files.js';

export * from './format.model';
export { adapt } from './adapt';
export { detectFormat } from './detect-format';

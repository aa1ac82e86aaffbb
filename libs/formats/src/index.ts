export { adapt } from './adapt';
export { detectFormat } from './detect-format';
export * from './format.model';

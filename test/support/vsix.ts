// Moved to runner/vsix.ts (the task runner is part of the product: `npm run task` uses it too).
export * from '../../runner/vsix';

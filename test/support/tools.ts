// Moved to runner/tools.ts (the task runner is part of the product: `npm run task` uses it too).
export * from '../../runner/tools';

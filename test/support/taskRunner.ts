// Moved to runner/taskRunner.ts (the task runner is part of the product: `npm run task` uses it too).
export * from '../../runner/taskRunner';

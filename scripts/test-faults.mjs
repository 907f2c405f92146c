// `npm run test:faults`: the fault-injection suite (test/faults) with its full count of seeded
// schedules per scenario (FAULT_SCHEDULES, default here 50; `npm test` runs 8).
process.env.FAULT_SCHEDULES ||= '50';
process.argv.splice(2, process.argv.length - 2, 'test/faults/');
await import('./test.mjs');

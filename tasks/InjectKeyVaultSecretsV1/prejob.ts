// The pre-job stage's entry (task.json prejobexecution). The agent tells a Node task nothing of its
// stage but the file it starts, so this file only loads the task's one bundle, index.js, which
// reads the stage from process.argv[1] (taskStage in injectKeyVaultSecretsTask.ts).
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
require(path.join(__dirname, 'index.js'));

import { runTask } from '../common/agent/runTask';
import { injectKeyVaultSecretsTask } from './injectKeyVaultSecretsTask';

runTask(injectKeyVaultSecretsTask);

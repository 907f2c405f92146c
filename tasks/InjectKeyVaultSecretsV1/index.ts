import { runTask } from '../common/agent/runTask';
import { SUMMARY_TITLE, injectKeyVaultSecretsTask } from './injectKeyVaultSecretsTask';

runTask(SUMMARY_TITLE, injectKeyVaultSecretsTask);

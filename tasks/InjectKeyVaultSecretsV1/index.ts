import { runTask } from '../common/agent';
import { SUMMARY_TITLE, injectKeyVaultSecretsTask } from './injectKeyVaultSecretsTask';

runTask(SUMMARY_TITLE, injectKeyVaultSecretsTask);

import { runTask } from '../common/agent/runTask';
import { SUMMARY_TITLE, promoteImageTask } from './promoteImageTask';

runTask(SUMMARY_TITLE, promoteImageTask);

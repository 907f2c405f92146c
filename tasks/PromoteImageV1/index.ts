import { runTask } from '../common/agent';
import { SUMMARY_TITLE, promoteImageTask } from './promoteImageTask';

runTask(SUMMARY_TITLE, promoteImageTask);

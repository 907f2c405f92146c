import { runTask } from '../common/agent/runTask';
import { promoteImageTask } from './promoteImageTask';

runTask(promoteImageTask);

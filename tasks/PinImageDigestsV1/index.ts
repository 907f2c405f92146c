import { runTask } from '../common/agent/runTask';
import { pinImageDigestsTask } from './pinImageDigestsTask';

runTask(pinImageDigestsTask);

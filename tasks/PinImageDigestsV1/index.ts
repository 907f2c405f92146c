import { runTask } from '../common/agent/runTask';
import { SUMMARY_TITLE, pinImageDigestsTask } from './pinImageDigestsTask';

runTask(SUMMARY_TITLE, pinImageDigestsTask);

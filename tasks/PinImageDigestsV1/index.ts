import { runTask } from '../common/agent';
import { SUMMARY_TITLE, pinImageDigestsTask } from './pinImageDigestsTask';

runTask(SUMMARY_TITLE, pinImageDigestsTask);

import { runTask } from '../common/agent/runTask';
import { SUMMARY_TITLE, deployHelmChartTask } from './deployHelmChartTask';

runTask(SUMMARY_TITLE, deployHelmChartTask);

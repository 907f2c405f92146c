import { runTask } from '../common/agent';
import { SUMMARY_TITLE, deployHelmChartTask } from './deployHelmChartTask';

runTask(SUMMARY_TITLE, deployHelmChartTask);

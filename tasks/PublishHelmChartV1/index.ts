import { runTask } from '../common/agent/runTask';
import { SUMMARY_TITLE, publishHelmChartTask } from './publishHelmChartTask';

runTask(SUMMARY_TITLE, publishHelmChartTask);

import { runTask } from '../common/agent';
import { SUMMARY_TITLE, publishHelmChartTask } from './publishHelmChartTask';

runTask(SUMMARY_TITLE, publishHelmChartTask);

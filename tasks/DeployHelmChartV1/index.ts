import { runTask } from '../common/agent/runTask';
import { deployHelmChartTask } from './deployHelmChartTask';

runTask(deployHelmChartTask);

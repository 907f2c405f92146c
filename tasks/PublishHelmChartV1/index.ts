import { runTask } from '../common/agent/runTask';
import { publishHelmChartTask } from './publishHelmChartTask';

runTask(publishHelmChartTask);

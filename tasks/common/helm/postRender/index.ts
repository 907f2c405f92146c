// The post-renderer, one unit: Helm pipes the rendered manifests through a relay script to the
// task, which sets kubernetes.io/change-cause on every workload (and runs the user's own
// post-renderer first).
export { CHANGE_CAUSE_ANNOTATION, annotateWorkloads, type AnnotationResult } from './annotateWorkloads';
export { MAX_CHANGE_CAUSE, defaultChangeCause, normalizeChangeCause, type RunFacts } from './changeCause';
export {
  installPostRenderer,
  type ChangeCausePostRenderer,
  type PostRendererOptions,
  type UserPostRenderer,
} from './postRenderer';

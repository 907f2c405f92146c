import { UserError } from '../common/errors';
import { readInputs } from './inputs';

export async function promoteImageTask(): Promise<void> {
  const options = readInputs();
  await Promise.resolve();
  throw new UserError(`PromoteImage: copying ${options.sourceImage} is not implemented yet.`);
}

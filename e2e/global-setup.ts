import type { TestProject } from 'vitest/node';
import { launchSystem } from './launch.js';

/** One running system for every e2e file: started once from the built code, stopped at the end. */
export default async function setup(project: TestProject) {
  const system = await launchSystem();
  project.provide('codeyard', { baseUrl: system.baseUrl, adminEmail: system.adminEmail, adminPassword: system.adminPassword });
  return async () => system.stop();
}

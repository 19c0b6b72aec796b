// Serverless Framework plugin (v3 and v4) that makes serverless.yml deploy the build and run
// it locally. The build itself runs while serverless.yml's variables are resolved
// (scripts/serverless-vars.cjs), before any command, into dist/ of the service directory.
//  - package / deploy / deploy function: each function ships its zip of the build,
//    dist/aws/<function>.zip (index.js and router.json at the code root).
//  - invoke local: the function runs the same bundle, dist/aws/<function>/index.js, with
//    ROUTER_CONFIG pointing at the router.json beside it (ROUTER_DATA_DIR and secrets from
//    the caller's environment when set there). Setting the artifacts only when
//    packaging is what keeps `invoke local` working: with `package.artifact` in
//    serverless.yml it looks for the handler in the service root.
'use strict';

const { existsSync } = require('node:fs');
const path = require('node:path');

/** An environment value that CloudFormation resolves at deploy time: meaningless locally. */
const DYNAMIC_REFERENCE = /^\{\{resolve:/;

class RouterArtifacts {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    // The caller's environment before invoke local merges the function's into it.
    this.callerEnv = { ...process.env };
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.shipBuild(),
      'before:deploy:function:packageFunction': () => this.shipBuild(),
      'invoke:local:loadEnvVars': () => this.runBuildLocally(),
    };
  }

  dist(...parts) {
    return path.join(this.serverless.serviceDir, 'dist', 'aws', ...parts);
  }

  shipBuild() {
    const { service } = this.serverless;
    for (const name of service.getAllFunctions()) {
      const zip = this.dist(`${name}.zip`);
      if (!existsSync(zip)) throw new Error(`${zip} is missing: functions/aws/${name}.ts was not built`);
      const fn = service.getFunction(name);
      fn.package = { ...fn.package, artifact: path.relative(this.serverless.serviceDir, zip) };
    }
  }

  runBuildLocally() {
    const name = this.options.function;
    const bundle = this.dist(name);
    if (!existsSync(path.join(bundle, 'index.js'))) throw new Error(`${bundle}/index.js is missing: functions/aws/${name}.ts was not built`);
    this.serverless.service.getFunction(name).handler = `${path.relative(this.serverless.serviceDir, bundle)}/index.handler`;
    process.env.ROUTER_CONFIG = path.join(bundle, 'router.json');
    // Where a relative `file` target path lands: the caller's choice first (the template says /tmp).
    if (this.callerEnv.ROUTER_DATA_DIR) process.env.ROUTER_DATA_DIR = this.callerEnv.ROUTER_DATA_DIR;
    // Secrets come from the caller's environment, as the CLI's `invoke` command takes them.
    for (const [key, value] of Object.entries(process.env)) {
      if (!DYNAMIC_REFERENCE.test(value)) continue;
      if (this.callerEnv[key] === undefined) delete process.env[key];
      else process.env[key] = this.callerEnv[key];
    }
  }
}

module.exports = RouterArtifacts;

// Every command of the command line, in the order help lists them.
import type { Command } from '../command';
import checkConfig from './check-config';
import invoke from './invoke';
import migrateAlertmanager from './migrate-alertmanager';
import normalize from './normalize';
import report from './report';
import routesShow from './routes-show';
import routesTest from './routes-test';
import stateList from './state-list';
import stateShow from './state-show';
import templateRender from './template-render';

export const COMMANDS: readonly [Command, ...Command[]] = [normalize, invoke, routesTest, routesShow, checkConfig, migrateAlertmanager, templateRender, report, stateList, stateShow];

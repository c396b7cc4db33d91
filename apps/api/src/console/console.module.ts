import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller.js';
import { TokensConsole } from './tokens.console.js';

/** The operator console at /console (pages and assets; its data comes from the JSON API), and the platform's tokens page. */
@Module({ controllers: [ConsoleController], providers: [TokensConsole] })
export class ConsoleModule {}

import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller.js';

/** The operator console at /console (pages and assets; its data comes from the JSON API). */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}

import { Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentPrincipal, DOCUMENT_PAGE_HEADERS, PageHeaders, type Principal, RequireRole } from '#platform';
import { ReviewDto, ReviewPageDto, ReviewQueryDto } from './dto/review.dto.js';
import { ReviewErrors } from './review.errors.js';
import { ReviewReadService } from './review-read.service.js';

const WEEK_PARAM = { name: 'week', description: 'ISO week, e.g. 2026-W48 (Monday 00:00 UTC to the next Monday)', example: '2026-W48' };

@ApiTags('reviews')
@ApiBearerAuth()
@Controller('api/governance/reviews')
export class ReviewController {
  constructor(private readonly reviews: ReviewReadService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Weekly reports, newest week first; cursor paging' })
  @ApiOkResponse({ type: ReviewPageDto })
  list(@Query() q: ReviewQueryDto): Promise<ReviewPageDto> {
    return this.reviews.list(q);
  }

  @Get('latest')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The newest weekly report' })
  @ApiOkResponse({ type: ReviewDto })
  @ApiErrors(ReviewErrors.pick('review_not_found'))
  latest(): Promise<ReviewDto> {
    return this.reviews.latest();
  }

  @Get(':week.html')
  @RequireRole('viewer')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @PageHeaders(DOCUMENT_PAGE_HEADERS)
  @ApiOperation({ summary: 'One weekly report as a self-contained HTML page (inline CSS, server-rendered SVG charts, no external resource)' })
  @ApiParam(WEEK_PARAM)
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The page', schema: { type: 'string' } })
  @ApiErrors(ReviewErrors.pick('review_week_invalid', 'review_not_found'))
  html(@Param('week') week: string): Promise<string> {
    return this.reviews.html(week);
  }

  @Get(':week')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One weekly report (JSON)' })
  @ApiParam(WEEK_PARAM)
  @ApiOkResponse({ type: ReviewDto })
  @ApiErrors(ReviewErrors.pick('review_week_invalid', 'review_not_found'))
  get(@Param('week') week: string): Promise<ReviewDto> {
    return this.reviews.get(week);
  }

  @Post(':week/generate')
  @HttpCode(201)
  @RequireRole('operator')
  @ApiOperation({ summary: 'Generate the report of a past week that has none (a report is written once, never regenerated)' })
  @ApiParam(WEEK_PARAM)
  @ApiCreatedResponse({ type: ReviewDto })
  @ApiErrors(ReviewErrors.pick('review_week_invalid', 'review_week_not_over', 'review_exists'))
  generate(@CurrentPrincipal() p: Principal, @Param('week') week: string): Promise<ReviewDto> {
    return this.reviews.generate(p, week);
  }
}

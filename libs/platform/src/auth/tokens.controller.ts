import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../http/api-docs.js';
import { CurrentPrincipal, RequireRole } from './auth.decorators.js';
import { AuthErrorCode } from './auth.errors.js';
import { CreateTokenRequestDto, RevokeTokenRequestDto, TokenResponseDto } from './dto/token.dto.js';
import type { Principal } from './principal.js';
import { TokenService } from './token.service.js';

@ApiTags('tokens')
@RequireRole('admin')
@Controller('api/governance/tokens')
export class TokensController {
  constructor(private readonly tokens: TokenService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API token (the token is returned only in this response)' })
  @ApiCreatedResponse({ type: TokenResponseDto })
  @ApiErrors({
    validation_failed: 400,
    [AuthErrorCode.TokenNameReserved]: 400,
    [AuthErrorCode.BindingNotAllowed]: 400,
    [AuthErrorCode.TokenNameTaken]: 409,
  })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateTokenRequestDto): Promise<TokenResponseDto> {
    const { token, entity } = await this.tokens.create(principal, body);
    return TokenResponseDto.from(entity, token);
  }

  @Get()
  @ApiOperation({ summary: 'List API tokens (never their values)' })
  @ApiOkResponse({ type: [TokenResponseDto] })
  async list(): Promise<TokenResponseDto[]> {
    return (await this.tokens.list()).map((t) => TokenResponseDto.from(t));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a token; every instance stops accepting it at once' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors({ validation_failed: 400, token_not_found: 404 })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RevokeTokenRequestDto,
  ): Promise<TokenResponseDto> {
    return TokenResponseDto.from(await this.tokens.revoke(principal, id, body?.reason));
  }
}

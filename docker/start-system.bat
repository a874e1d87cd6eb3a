@echo off
rem Builds the edgecache image, starts the cluster with docker\docker-compose.yml, waits until every
rem service is healthy (120 s at most) and prints the URLs and what to try next. Windows with Docker Desktop
rem (which has the stock debian images; tools/docker-base is only for Linux machines without a registry).
setlocal EnableDelayedExpansion
cd /d "%~dp0\.."
set FILE=docker\docker-compose.yml
set TIMEOUT_S=120

docker info >nul 2>&1
if errorlevel 1 (
  echo start-system: error: no Docker engine is reachable; start Docker Desktop and try again 1>&2
  exit /b 1
)
set COMPOSE=docker compose
docker compose version >nul 2>&1
if errorlevel 1 set COMPOSE=docker-compose

echo start-system: building the edgecache image (the first build compiles the daemons: several minutes)
%COMPOSE% -f %FILE% build canonical-server
if errorlevel 1 exit /b 1
echo start-system: starting the cluster
%COMPOSE% -f %FILE% up -d --no-build canonical-server edge-server-1 edge-server-2 edge-server-3
if errorlevel 1 exit /b 1

set /a waited=0
:wait
set /a healthy=0
for %%s in (canonical-server edge-server-1 edge-server-2 edge-server-3) do (
  for /f %%i in ('%COMPOSE% -f %FILE% ps -q %%s') do (
    for /f %%h in ('docker inspect -f "{{.State.Health.Status}}" %%i') do (
      if "%%h"=="healthy" set /a healthy+=1
    )
  )
)
if !healthy! EQU 4 goto up
if !waited! GEQ %TIMEOUT_S% (
  %COMPOSE% -f %FILE% logs --tail 20
  echo start-system: error: not every service is healthy after %TIMEOUT_S% s; see the logs above and docs\docker.md 1>&2
  exit /b 1
)
timeout /t 1 /nobreak >nul
set /a waited+=1
goto wait

:up
echo.
echo edgecache is up and healthy.
echo.
echo   canonical-server   http://localhost:9000
echo   edge-server-1      http://localhost:8001
echo   edge-server-2      http://localhost:8002
echo   edge-server-3      http://localhost:8003
echo.
echo Try next:
echo   curl -s http://localhost:8001/status                  who leads (edge 3, the highest id)
echo   curl -s -o image1.png http://localhost:8001/images/1  an image through edge 1
echo   curl -s http://localhost:8003/metrics                 Prometheus metrics
echo   %COMPOSE% -f %FILE% run --rm client      the interactive client
echo   %COMPOSE% -f %FILE% logs -f edge-server-3   one service's log
echo   %COMPOSE% -f %FILE% down -v              stop and remove everything
endlocal

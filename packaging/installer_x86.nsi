; 政务公开自查 — the installer users download: a 32-bit launcher around the 64-bit
; installer (installer.nsi).
;
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DINNER=<setup-x64.exe> \
;            -DOUTFILE=<setup.exe> packaging/installer_x86.nsi
;
; Why: a 64-bit program does not start at all on 32-bit Windows (Windows shows its own
; "cannot run on this PC"), so the 64-bit installer's Chinese message would never be
; seen. This 32-bit program runs everywhere: on 32-bit or too old Windows it shows the
; message and exits with 3; otherwise it runs the 64-bit installer with the same
; arguments (/S, /D=…) and exits with its exit code. It writes nothing itself.

Unicode true
Target x86-unicode
RequestExecutionLevel user
ManifestDPIAware true
SetCompressor lzma
SilentInstall normal
AutoCloseWindow true
ShowInstDetails nevershow

!include "FileFunc.nsh"
!include "installer_common.nsh"

!ifndef VERSION
  !error "VERSION is required: makensis -DVERSION=x.y.z"
!endif
!ifndef INNER
  !error "INNER is required: the 64-bit installer built from installer.nsi"
!endif
!ifndef OUTFILE
  !define OUTFILE "gongkai-desktop-${VERSION}-setup.exe"
!endif

Name "政务公开自查"
Caption "政务公开自查 ${VERSION} 安装"
OutFile "${OUTFILE}"
Icon "..\resources\icons\app.ico"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "政务公开自查"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileDescription" "政务公开自查 安装程序"
VIAddVersionKey /LANG=2052 "CompanyName" "gongkai-desktop"
VIAddVersionKey /LANG=2052 "LegalCopyright" "MIT License"
LoadLanguageFile "${NSISDIR}\Contrib\Language files\SimpChinese.nlf"

Function .onInit
  !insertmacro RequireWindows
  InitPluginsDir
  ; Already LZMA-compressed: stored as it is.
  SetCompress off
  File "/oname=$PLUGINSDIR\gongkai-desktop-setup-x64.exe" "${INNER}"
  SetCompress auto
  ${GetParameters} $R0
  ClearErrors
  ExecWait '"$PLUGINSDIR\gongkai-desktop-setup-x64.exe" $R0' $R1
  ${If} ${Errors}
    MessageBox MB_ICONSTOP|MB_OK "无法启动 64 位安装程序。" /SD IDOK
    SetErrorLevel 2
  ${Else}
    SetErrorLevel $R1
  ${EndIf}
  Quit
FunctionEnd

Section
SectionEnd

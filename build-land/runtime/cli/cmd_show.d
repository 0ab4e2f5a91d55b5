build-land/runtime/cli/cmd_show.o: runtime/cli/cmd_show.c runtime/alloc.h \
 runtime/cli/cli.h runtime/cli/show_groups.h runtime/model/trace_model.h
runtime/alloc.h:
runtime/cli/cli.h:
runtime/cli/show_groups.h:
runtime/model/trace_model.h:

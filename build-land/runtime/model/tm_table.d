build-land/runtime/model/tm_table.o: runtime/model/tm_table.c \
 runtime/alloc.h runtime/model/tm_internal.h runtime/model/trace_model.h
runtime/alloc.h:
runtime/model/tm_internal.h:
runtime/model/trace_model.h:

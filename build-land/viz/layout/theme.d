build-land/viz/layout/theme.o: viz/layout/theme.c viz/layout/theme.h \
 viz/layout/drawlist.h runtime/model/trace_model.h viz/model/view_model.h
viz/layout/theme.h:
viz/layout/drawlist.h:
runtime/model/trace_model.h:
viz/model/view_model.h:
